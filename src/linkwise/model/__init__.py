"""Pure types shared by every layer: canonical fields, source manifests, the policy pack."""
