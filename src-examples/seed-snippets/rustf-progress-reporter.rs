// Worker code
WORKER::register("progress-reporter", |ctx| async move {
    for i in 1..=10 {
        // Emit progress updates
        ctx.emit(json!({
            "progress": i * 10,
            "message": format!("Processing item {}/10", i)
        }))?;

        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    ctx.emit(json!({"status": "complete"}))?;
    Ok(())
}).await?;
