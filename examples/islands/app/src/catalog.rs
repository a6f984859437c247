//! What the shop sells.

/// One product on the shelf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    /// The stable id: the cart's key and the suffix of every test id.
    pub id: &'static str,
    /// The name shown to shoppers.
    pub name: &'static str,
    /// One line about it.
    pub blurb: &'static str,
    /// Price in cents.
    pub price: u32,
    /// The CSS class of its picture.
    pub picture: &'static str,
}

/// Every product, in shelf order.
pub const PRODUCTS: &[Product] = &[
    Product {
        id: "tee",
        name: "Nano tee",
        blurb: "Organic cotton, one tiny atom on the chest.",
        price: 2400,
        picture: "pic-tee",
    },
    Product {
        id: "mug",
        name: "Store mug",
        blurb: "Holds 350 ml of state. Dishwasher safe.",
        price: 1400,
        picture: "pic-mug",
    },
    Product {
        id: "cap",
        name: "Computed cap",
        blurb: "Derived from the finest felt, recomputed lazily.",
        price: 1900,
        picture: "pic-cap",
    },
    Product {
        id: "stickers",
        name: "Sticker pack",
        blurb: "Eight stickers, one per framework and then some.",
        price: 500,
        picture: "pic-stickers",
    },
];

/// The product with this id, if the shop sells it.
pub fn product(id: &str) -> Option<&'static Product> {
    PRODUCTS.iter().find(|p| p.id == id)
}

/// `cents` as dollars: `2400` → `"$24.00"`.
pub fn price(cents: u32) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_ids_are_unique_and_found() {
        for p in PRODUCTS {
            assert_eq!(product(p.id), Some(p));
        }
        assert_eq!(product("nope"), None);
    }

    #[test]
    fn price_prints_cents_with_two_digits() {
        assert_eq!(price(2400), "$24.00");
        assert_eq!(price(505), "$5.05");
        assert_eq!(price(0), "$0.00");
    }
}
