#[tollgate::gateway(spec = "../fixtures/broken/invalid-yaml.yaml")]
mod api {}

fn main() {}
