import aiohttp
from bs4 import BeautifulSoup

worker = Worker(
    worker_type="scraper",
    max_concurrent_tasks=50  # IO-bound, можно много
)

@worker.task("scrape_page")
async def scrape_page(params, **kwargs):
    url = params["url"]
    selectors = params.get("selectors", {})
    
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as response:
            html = await response.text()
    
    soup = BeautifulSoup(html, 'html.parser')
    
    data = {}
    for name, selector in selectors.items():
        element = soup.select_one(selector)
        data[name] = element.text.strip() if element else None
    
    return {
        "status": "success",
        "data": data
    }
