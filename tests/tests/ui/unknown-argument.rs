#[tollgate::gateway(spec = "../fixtures/petstore.yaml", colour = "red")]
mod api {}

fn main() {}
