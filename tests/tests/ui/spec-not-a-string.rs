#[tollgate::gateway(spec = 42)]
mod api {}

fn main() {}
