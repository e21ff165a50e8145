"""The formal side of reports (HD 36-HD/VPTW): who issues them (settings per committee), the register of outgoing
numbers, issuing a draft (number, signer, recipients, frozen bytes), staff edits of the narrative, the register page."""
