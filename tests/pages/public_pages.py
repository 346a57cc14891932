"""Addresses on the seeded site (tests/pages/conftest.py `seeded`) that the page tests share."""

ARTICLE = "/skin-advice/milia-tiny-white-bumps-on-your-skin/"

# Every kind of public page the seed makes, with words a patient should find on it.
PUBLIC_PAGES = {
    "/": "Skin Surgery Laser Clinics in London and Bristol",
    "/skin-advice/": "Milia: ‘Tiny White Bumps On Your Skin’",
    ARTICLE: "Milia are medically known as ‘milium cysts’",
    "/treatments/": "Sebaceous cysts",
    "/treatments/milia/": "Milia develop as a result of sweat glands",
    "/treatments/laser-treatment/": "laser mole removal",
    "/clinics/": "Bristol clinic",
    "/clinics/london/": "Private treatment for common skin lesions in London",
    "/team/": "Our clinical team",
    "/team/dr-ross-perry/": "Founder and Medical Director",
    "/faqs/": "Frequently asked questions",
    "/privacy/": "Privacy notice",
    "/terms/": "Terms of use",
}
