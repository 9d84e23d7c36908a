@worker.task("risky_task")
async def risky_handler(params, **kwargs):
    try:
        result = await do_risky_operation(params)
        return {"status": "success", "data": result}
    
    except NetworkError as e:
        # Временная ошибка — оркестратор повторит задачу
        return {
            "status": "failure",
            "error": {
                "code": "TRANSIENT_ERROR",
                "message": f"Network error: {e}"
            }
        }
    
    except ValidationError as e:
        # Постоянная ошибка — повторять бессмысленно
        return {
            "status": "failure",
            "error": {
                "code": "PERMANENT_ERROR",
                "message": f"Invalid input: {e}"
            }
        }
    
    except Exception as e:
        # Неизвестная ошибка — лучше считать временной
        return {
            "status": "failure",
            "error": {
                "code": "TRANSIENT_ERROR",
                "message": f"Unexpected error: {e}"
            }
        }
