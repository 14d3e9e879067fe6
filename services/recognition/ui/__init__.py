"""UI (screen-state) recognition: labelling frames and training the classifier."""
