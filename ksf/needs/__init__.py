"""Knowledge and innovation needs: registration, the routing workflow, endorsements, history."""
