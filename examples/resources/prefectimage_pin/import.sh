# Import a pin by repository, tag and digest; the tag part may be left out.
terraform import prefectimage_pin.worker 'prefecthq/prefect:3.4.7-python3.12-kubernetes@sha256:0f5d3a7b1c2e4f6a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a'
