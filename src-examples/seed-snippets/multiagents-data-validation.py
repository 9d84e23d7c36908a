from pydantic import BaseModel, ValidationError
from typing import List, Optional

class OrderItem(BaseModel):
    product_id: str
    quantity: int
    price: float

class Order(BaseModel):
    order_id: str
    customer_id: str
    items: List[OrderItem]
    total: Optional[float] = None

@worker("validate_order")
async def validate_order_worker(context):
    """Validate order data using Pydantic models."""
    try:
        # Parse and validate order
        order_data = context.get("order", {})
        order = Order(**order_data)
        
        # Additional business validation
        if not order.items:
            raise ValueError("Order must contain at least one item")
        
        # Calculate and validate total
        calculated_total = sum(item.price * item.quantity for item in order.items)
        if order.total and abs(order.total - calculated_total) > 0.01:
            raise ValueError("Order total doesn't match item prices")
        
        # Return validated order
        return {
            "validated_order": order.dict(),
            "calculated_total": calculated_total,
            "item_count": len(order.items),
            "validation_status": "passed"
        }
        
    except ValidationError as e:
        return {
            "validation_status": "failed",
            "validation_errors": [str(err) for err in e.errors],
            "error_type": "validation_error"
        }
    except ValueError as e:
        return {
            "validation_status": "failed",
            "validation_errors": [str(e)],
            "error_type": "business_rule_error"
        }
