#[tollgate::gateway]
mod api {}

#[tollgate::gateway(mock = false)]
mod other {}

fn main() {}
