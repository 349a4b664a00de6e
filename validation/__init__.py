"""Validation: the canonical models' published results reproduced on orglearn's engine
(`canonical`, ``orglearn validate``), and the patterns the social-learning model must show
(`patterns`, ``orglearn validate patterns``)."""
