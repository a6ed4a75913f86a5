"""The two-VM lab: image build, QEMU and Vagrant drivers, fencing service, deploy."""
