WORKER::register("generate-report", |ctx| async move {
    let payload = ctx.payload()
        .ok_or_else(|| Error::validation("Report parameters required"))?;

    let report_type = payload["type"].as_str().unwrap_or("monthly");
    let user_id = payload["user_id"].as_i64().unwrap();

    ctx.info(&format!("Generating {} report for user {}", report_type, user_id));

    // Fetch data
    ctx.emit(json!({"stage": "fetching_data", "progress": 10}))?;
    let data = fetch_report_data(user_id, report_type).await?;

    // Process data
    ctx.emit(json!({"stage": "processing", "progress": 40}))?;
    let processed = process_report_data(&data).await?;

    // Generate PDF
    ctx.emit(json!({"stage": "generating_pdf", "progress": 70}))?;
    let pdf_path = generate_pdf_report(&processed).await?;

    // Upload to storage
    ctx.emit(json!({"stage": "uploading", "progress": 90}))?;
    let url = upload_to_storage(&pdf_path).await?;

    ctx.emit(json!({
        "stage": "complete",
        "progress": 100,
        "url": url
    }))?;

    ctx.info(&format!("âœ… Report generated: {}", url));
    Ok(())
}).await?;
