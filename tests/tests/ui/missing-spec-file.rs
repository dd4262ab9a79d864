#[tollgate::gateway(spec = "../fixtures/no-such-spec.yaml")]
mod api {}

fn main() {}
