# Which Pythons and flavors is Prefect 3.1.9 published for?
data "prefectimage_releases" "v3_1_9" {
  prefect_version = "3.1.9"
}

locals {
  images_3_1_9 = flatten(data.prefectimage_releases.v3_1_9.releases[*].images)
}

output "flavors_of_3_1_9" {
  # ["standard", "conda", "kubernetes"]
  value = distinct(local.images_3_1_9[*].flavor)
}

output "pythons_of_3_1_9_by_flavor" {
  # { standard = ["3.9", "3.10", "3.11", "3.12"], conda = [...], kubernetes = [...] }
  # No 3.13: Prefect never published 3.1.9 for it.
  value = { for image in local.images_3_1_9 : image.flavor => image.python_version... }
}

# Every stable 3.x release with a conda image on Python 3.12, newest first.
data "prefectimage_releases" "conda_312" {
  prefect_version = "~> 3.0"
  python_version  = "3.12"
  flavor          = "conda"
}

output "newest_conda_312" {
  value = data.prefectimage_releases.conda_312.latest # "3.8.3"; null if there were none
}
