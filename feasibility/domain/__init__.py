"""Domain models: bottom-up demand, berth and yard capacity, demand forecasts, distributions."""
