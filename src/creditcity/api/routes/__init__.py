"""One router per resource; each route parses, calls one service, and shapes the answer."""
