import torch
from transformers import pipeline

worker = Worker(
    worker_type="ml-inference",
    max_concurrent_tasks=2,  # GPU memory limited
)

# Загружаем модель один раз при старте
classifier = pipeline("sentiment-analysis", device=0)

@worker.task("sentiment_analysis")
async def sentiment_analysis(params, **kwargs):
    text = params["text"]
    
    # Выполняем инференс
    result = classifier(text)[0]
    
    return {
        "status": "success",
        "data": {
            "label": result["label"],
            "score": result["score"]
        }
    }
