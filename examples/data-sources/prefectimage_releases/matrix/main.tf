# The newest stable Prefect 3 release and its standard images, one per Python.
data "prefectimage_releases" "prefect3" {
  prefect_version = "~> 3.0"
  flavor          = "standard"
}

# One pin per Python of that release: a CI matrix that tests flows on every
# Python Prefect publishes. try() keeps the matrix empty rather than failing
# when nothing matches.
data "prefectimage_pin" "matrix" {
  for_each = {
    for image in try(data.prefectimage_releases.prefect3.releases[0].images, []) :
    image.python_version => image
  }

  tag = each.value.tag
}

output "matrix" {
  # { "3.10" = "prefecthq/prefect@sha256:…", …, "3.14" = "prefecthq/prefect@sha256:…" }
  value = { for python, pin in data.prefectimage_pin.matrix : python => pin.ref }
}
