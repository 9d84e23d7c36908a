@worker("parallel_data_processor")
async def parallel_data_processor_worker(context):
    """Process multiple data items in parallel."""
    
    items = context.get("items", [])
    max_concurrency = context.get("max_concurrency", 10)
    
    if not items:
        return {"processed_items": [], "error_count": 0}
    
    # Create semaphore to limit concurrency
    semaphore = asyncio.Semaphore(max_concurrency)
    
    async def process_single_item(item):
        async with semaphore:
            try:
                # Simulate processing time
                await asyncio.sleep(0.1)
                
                # Process item (example: data enrichment)
                processed = {
                    "original": item,
                    "processed_at": datetime.utcnow().isoformat(),
                    "status": "processed",
                    "hash": hashlib.md5(str(item).encode()).hexdigest()
                }
                
                return {"success": True, "data": processed}
                
            except Exception as e:
                return {
                    "success": False, 
                    "error": str(e), 
                    "original": item
                }
    
    # Process all items concurrently
    tasks = [process_single_item(item) for item in items]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    
    # Separate successful and failed results
    processed_items = []
    errors = []
    
    for i, result in enumerate(results):
        if isinstance(result, Exception):
            errors.append({
                "item_index": i,
                "item": items[i],
                "error": str(result)
            })
        elif result["success"]:
            processed_items.append(result["data"])
        else:
            errors.append({
                "item_index": i,
                "item": result["original"],
                "error": result["error"]
            })
    
    return {
        "processed_items": processed_items,
        "successful_count": len(processed_items),
        "error_count": len(errors),
        "errors": errors,
        "total_items": len(items)
    }
