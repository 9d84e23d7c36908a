WORKER::register("cleanup-temp-files", |ctx| async move {
    ctx.info("ğŸ§¹ Starting cleanup task");

    let temp_dir = "/tmp/app_uploads";
    let cutoff = chrono::Utc::now() - chrono::Duration::hours(24);

    let mut removed_count = 0;

    // Scan directory
    let entries = tokio::fs::read_dir(temp_dir).await?;
    // Process each file...

    ctx.emit(json!({
        "files_removed": removed_count,
        "directory": temp_dir
    }))?;

    ctx.info(&format!("âœ… Cleanup complete: {} files removed", removed_count));
    Ok(())
}).await?;
