"""Analyses over the model: sensitivity, Monte Carlo risk, the PPP (KPBU) test."""
