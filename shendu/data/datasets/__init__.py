"""Data sets: MNIST (bundled), FashionMNIST, KMNIST, CIFAR10 (downloaded), house prices and
airfoil (tabular)."""
