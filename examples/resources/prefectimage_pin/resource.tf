# The pin lives in state, and every plan checks whether Prefect re-pushed
# the tag or released a newer 3.4.x. Under on_drift = "warn", as here, such a
# move only warns: `terraform plan -detailed-exitcode` exits 0, not 2.
resource "prefectimage_pin" "worker" {
  prefect_version = "~> 3.4.0"
  python_version  = "3.12"
  flavor          = "kubernetes"

  # update (default): the plan moves the pin; warn: hold and warn;
  # error: hold and fail the plan until someone decides.
  on_drift = "warn"

  # Never pin an image that lacks a platform the workers run. A manifest is
  # read (a GET) only for an image whose platforms the state does not hold
  # yet: the pinned one at create, and upstream's when upstream moves.
  required_platforms = ["linux/amd64", "linux/arm64"]
}

output "worker_image" {
  value = prefectimage_pin.worker.ref
}
