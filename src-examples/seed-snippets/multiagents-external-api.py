import aiohttp
import asyncio
from typing import Optional

@worker("payment_processor")
async def payment_processor_worker(context):
    """Process payment through external payment gateway."""
    
    # Extract payment information
    order = context["validated_order"]
    payment_info = context["payment_info"]
    total = context["calculated_total"]
    
    async with aiohttp.ClientSession() as session:
        try:
            # Call payment gateway
            payment_request = {
                "amount": total,
                "currency": "USD",
                "payment_method": payment_info["method"],
                "card_token": payment_info["card_token"],
                "customer_id": order["customer_id"],
                "order_id": order["order_id"]
            }
            
            async with session.post(
                "https://api.paymentgateway.com/v1/charges",
                json=payment_request,
                headers={"Authorization": f"Bearer {get_api_key()}"},
                timeout=aiohttp.ClientTimeout(total=30)
            ) as response:
                
                if response.status == 200:
                    payment_result = await response.json()
                    return {
                        "payment_id": payment_result["id"],
                        "payment_status": "charged",
                        "transaction_fee": payment_result["fee"],
                        "gateway_response": payment_result
                    }
                else:
                    error_data = await response.json()
                    return {
                        "payment_status": "failed",
                        "error_code": error_data.get("error_code"),
                        "error_message": error_data.get("message"),
                        "retry_recommended": response.status in [429, 503]
                    }
                    
        except asyncio.TimeoutError:
            return {
                "payment_status": "failed",
                "error_message": "Payment gateway timeout",
                "error_type": "timeout",
                "retry_recommended": True
            }
        except aiohttp.ClientError as e:
            return {
                "payment_status": "failed",
                "error_message": f"Network error: {str(e)}",
                "error_type": "network_error",
                "retry_recommended": True
            }
