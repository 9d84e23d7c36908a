WORKER::register("process-upload", |ctx| async move {
    let payload = ctx.payload()
        .ok_or_else(|| Error::validation("Payload required"))?;

    let file_path = payload["file_path"].as_str()
        .ok_or_else(|| Error::validation("file_path required"))?;

    ctx.info(&format!("Processing file: {}", file_path));

    // Step 1: Validate file
    ctx.emit(json!({"step": "validate", "progress": 25}))?;
    validate_file(file_path).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Step 2: Process file
    ctx.emit(json!({"step": "process", "progress": 50}))?;
    let result = process_file(file_path).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Step 3: Generate thumbnail
    ctx.emit(json!({"step": "thumbnail", "progress": 75}))?;
    generate_thumbnail(file_path).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Step 4: Save to database
    ctx.emit(json!({"step": "save", "progress": 100}))?;
    save_to_database(&result).await?;

    ctx.info("âœ… File processing complete");
    Ok(())
}).await?;
