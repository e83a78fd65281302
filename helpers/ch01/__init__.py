"""Chapter 1 (perceptron to CNN): small data sets, a gradient checker and plotting plumbing."""
