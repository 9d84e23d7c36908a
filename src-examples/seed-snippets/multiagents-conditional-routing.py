@worker("order_routing")
async def order_routing_worker(context):
    """Route order based on various conditions."""
    
    order = context["validated_order"]
    customer_tier = context.get("customer_tier", "standard")
    order_value = context["calculated_total"]
    
    # Determine routing based on business rules
    routing_decision = {
        "order_id": order["order_id"],
        "routing_timestamp": datetime.utcnow().isoformat()
    }
    
    # High-value order routing
    if order_value >= 1000:
        routing_decision.update({
            "route": "high_value",
            "priority": "high",
            "approval_required": True,
            "fulfillment_center": "premium_warehouse",
            "shipping_method": "express"
        })
    
    # Premium customer routing
    elif customer_tier in ["premium", "vip"]:
        routing_decision.update({
            "route": "premium_customer", 
            "priority": "high",
            "approval_required": False,
            "fulfillment_center": "premium_warehouse",
            "shipping_method": "expedited"
        })
    
    # Bulk order routing
    elif len(order["items"]) > 10:
        routing_decision.update({
            "route": "bulk_order",
            "priority": "medium", 
            "approval_required": False,
            "fulfillment_center": "bulk_warehouse",
            "shipping_method": "standard"
        })
    
    # Standard routing
    else:
        routing_decision.update({
            "route": "standard",
            "priority": "normal",
            "approval_required": False,
            "fulfillment_center": "standard_warehouse", 
            "shipping_method": "standard"
        })
    
    # Add additional routing metadata
    routing_decision["estimated_processing_time"] = (
        "24_hours" if routing_decision["approval_required"] 
        else "2_hours"
    )
    
    return routing_decision
