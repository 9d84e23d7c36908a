// src/workers/email.rs
use rustf::prelude::*;
use rustf::workers::WORKER;
use std::time::Duration;

pub async fn install() -> Result<()> {
    WORKER::register("send-email", |ctx| async move {
        ctx.info("Sending email...");

        // Simulate email sending
        tokio::time::sleep(Duration::from_secs(2)).await;

        ctx.info("Email sent successfully!");
        Ok(())
    }).await?;

    Ok(())
}
