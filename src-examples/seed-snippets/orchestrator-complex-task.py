@worker.task("complex_task")
async def complex_handler(
    params,
    task_id,
    job_id,
    priority,
    send_progress,
    **kwargs
):
    total_steps = params.get("steps", 10)
    
    for step in range(total_steps):
        # Выполняем работу
        await asyncio.sleep(0.5)
        
        # Отправляем прогресс
        await send_progress(
            job_id=job_id,
            task_id=task_id,
            progress=(step + 1) / total_steps * 100,
            message=f"Step {step + 1}/{total_steps}"
        )
    
    return {"status": "success", "data": {"steps_completed": total_steps}}
