"""werkpad: results dashboard for outreach-to-work programmes."""
