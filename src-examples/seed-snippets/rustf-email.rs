use rustf::prelude::*;
use rustf::workers::WORKER;

pub async fn install() -> Result<()> {
    WORKER::register("send-email", |ctx| async move {
        let payload = ctx.payload()
            .ok_or_else(|| Error::validation("Email payload required"))?;

        let to = payload["to"].as_str()
            .ok_or_else(|| Error::validation("'to' address required"))?;
        let subject = payload["subject"].as_str()
            .unwrap_or("No Subject");
        let body = payload["body"].as_str()
            .unwrap_or("");

        ctx.info(&format!("Sending email to: {}", to));

        // Simulate email sending
        if ctx.is_development() {
            ctx.info(&format!("ğŸ“§ DEV MODE - Email to {} with subject: {}", to, subject));
            tokio::time::sleep(Duration::from_millis(100)).await;
        } else {
            // Production: use real SMTP service
            // send_smtp_email(to, subject, body).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
        }

        ctx.emit(json!({
            "status": "sent",
            "to": to,
            "timestamp": chrono::Utc::now().to_rfc3339()
        }))?;

        ctx.info("âœ… Email sent successfully");
        Ok(())
    }).await?;

    Ok(())
}
