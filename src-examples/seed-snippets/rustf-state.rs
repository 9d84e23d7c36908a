WORKER::register("stateful", |ctx| async move {
    // Set state values
    ctx.set_state("progress", json!(0)).await?;
    ctx.set_state("items_processed", json!([])).await?;

    for i in 1..=5 {
        // Update state
        ctx.set_state("progress", json!(i * 20)).await?;

        // Read state
        if let Some(progress) = ctx.get_state("progress").await {
            ctx.info(&format!("Progress: {}%", progress));
        }

        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // Clear all state
    ctx.clear_state().await?;
    Ok(())
}).await?;
