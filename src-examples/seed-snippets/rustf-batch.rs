WORKER::register("batch-processor", |ctx| async move {
    let payload = ctx.payload()
        .ok_or_else(|| Error::validation("Batch items required"))?;

    let items = payload["items"].as_array()
        .ok_or_else(|| Error::validation("items must be an array"))?;

    let total = items.len();
    ctx.info(&format!("Processing {} items", total));

    for (index, item) in items.iter().enumerate() {
        let progress = ((index + 1) as f64 / total as f64 * 100.0) as u64;

        ctx.emit(json!({
            "current": index + 1,
            "total": total,
            "progress": progress,
            "item": item
        }))?;

        // Process item
        process_item(item).await?;

        // Small delay to avoid overwhelming external APIs
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    ctx.info(&format!("âœ… Processed {} items", total));
    Ok(())
}).await?;
