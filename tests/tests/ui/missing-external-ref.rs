#[tollgate::gateway(spec = "../fixtures/broken/missing-external-ref.yaml")]
mod api {}

fn main() {}
