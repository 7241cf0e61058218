"""The record linkage example: linking people across courts, prison and probation with Splink."""
