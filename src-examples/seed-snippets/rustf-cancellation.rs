async fn cancelable_operation(ctx: &mut Context) -> Result<()> {
    // Start long-running worker
    let handle = WORKER::call("slow-worker", None, None).await?;
    let run_id = handle.id().to_string();

    // Start cancellation timer
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;

        // Cancel after 3 seconds
        if let Err(e) = WORKER::cancel(&run_id).await {
            eprintln!("Failed to cancel: {}", e);
        }
    });

    // Try to await result
    match handle.await_result().await {
        Ok(_) => ctx.json(json!({"status": "completed"})),
        Err(_) => ctx.json(json!({"status": "cancelled"})),
    }
}
