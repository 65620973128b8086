"""Customer intelligence: what is known of each customer (features materialised in the
store) and what is expected of them (lifetime value, churn risk, next purchase).

A layer beside :mod:`recmind.profiles`: it reads the data layer only.
"""
