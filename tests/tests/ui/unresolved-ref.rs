#[tollgate::gateway(spec = "../fixtures/broken/unresolved-ref.yaml")]
mod api {}

fn main() {}
