@worker("sync_calculator")
def calculate_total(context):
    """Synchronous worker for CPU-intensive calculations."""
    items = context.get("items", [])
    
    # CPU-intensive calculation
    total = sum(item["price"] * item["quantity"] for item in items)
    tax = total * 0.08  # 8% tax
    
    return {
        "subtotal": total,
        "tax": tax,
        "total": total + tax
    }
