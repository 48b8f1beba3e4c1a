"""creditcity: a city credit bureau with explainable scores and the rights of the person."""

__version__ = "0.1.0"
