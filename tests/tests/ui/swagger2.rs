#[tollgate::gateway(spec = "../fixtures/broken/swagger2.yaml")]
mod api {}

fn main() {}
