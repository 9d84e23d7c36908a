import ffmpeg

worker = Worker(
    worker_type="video-processor",
    max_concurrent_tasks=3,
    task_type_limits={
        "transcode_4k": 1,  # Только один 4K одновременно
        "transcode_1080p": 2
    }
)

@worker.task("transcode_4k")
async def transcode_4k(params, task_id, job_id, send_progress, **kwargs):
    input_path = params["input_path"]
    output_path = params["output_path"]
    
    # Получаем длительность видео
    probe = ffmpeg.probe(input_path)
    duration = float(probe['format']['duration'])
    
    # Запускаем транскодинг с отслеживанием прогресса
    process = (
        ffmpeg
        .input(input_path)
        .output(output_path, vcodec='libx264', crf=18)
        .overwrite_output()
        .run_async(pipe_stderr=True)
    )
    
    # Парсим прогресс из stderr ffmpeg
    while True:
        line = process.stderr.readline()
        if not line:
            break
        # Парсим time=00:00:00.00 и отправляем прогресс
        ...
    
    return {
        "status": "success",
        "data": {"output_path": output_path}
    }
