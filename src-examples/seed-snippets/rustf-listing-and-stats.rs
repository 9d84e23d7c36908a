async fn worker_dashboard(ctx: &mut Context) -> Result<()> {
    // List all registered worker definitions
    let definitions = WORKER::definitions().await?;

    // List all currently running worker run IDs
    let running = WORKER::running().await?;

    // List runs for a specific worker
    let email_runs = WORKER::running_for("send-email").await?;

    ctx.json(json!({
        "definitions": definitions,
        "running_count": running.len(),
        "email_worker_runs": email_runs.len()
    }))
}

async fn worker_stats(ctx: &mut Context) -> Result<()> {
    let definitions = WORKER::definitions().await?;
    let mut stats_map = serde_json::Map::new();

    for name in definitions {
        if let Some(stats) = WORKER::stats(&name).await {
            let avg_ms = if stats.runs > 0 {
                stats.total_runtime_ms / stats.runs
            } else {
                0
            };

            stats_map.insert(name, json!({
                "total_runs": stats.runs,
                "errors": stats.errors,
                "success_rate": if stats.runs > 0 {
                    (stats.runs - stats.errors) as f64 / stats.runs as f64 * 100.0
                } else {
                    0.0
                },
                "average_duration_ms": avg_ms,
                "last_run_ms": stats.last_run_ms
            }));
        }
    }

    ctx.json(json!(stats_map))
}
