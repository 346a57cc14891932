"""
Schema.org structured data (JSON-LD) for the public pages, built as plain dicts.

Templates print each dict with the `json_ld` tag, which escapes it like `json_script`, so staff
text can never close the <script> element. Facts that are not filled in are left out, never
guessed: a clinic without a street address gets only its town.
"""

from html import unescape

from django.conf import settings
from django.utils.html import strip_tags

from clinic_site.phones import phone_international
from pages import opening_hours


def organization(request):
    home = request.build_absolute_uri("/")
    return {
        "@context": "https://schema.org",
        "@type": "MedicalOrganization",
        "@id": f"{home}#organization",
        "name": settings.CLINIC_NAME,
        "url": home,
        "telephone": phone_international(settings.CLINIC_PHONE),
    }


def website(request):
    home = request.build_absolute_uri("/")
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": f"{home}#website",
        "name": settings.CLINIC_NAME,
        "url": home,
        "inLanguage": "en-GB",
        "publisher": {"@id": f"{home}#organization"},
    }


def breadcrumb_list(request, breadcrumbs):
    """`breadcrumbs` is the trail after Home: [{"name": ..., "url": ...}, ...]."""
    trail = [{"name": "Home", "url": "/"}, *breadcrumbs]
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": position,
                "name": crumb["name"],
                "item": request.build_absolute_uri(crumb["url"]),
            }
            for position, crumb in enumerate(trail, start=1)
        ],
    }


def web_page(request, *, name, description, page_type="WebPage"):
    return {
        "@context": "https://schema.org",
        "@type": page_type,
        "name": name,
        "description": description,
        "url": request.build_absolute_uri(request.path),
        "inLanguage": "en-GB",
        "isPartOf": {"@id": request.build_absolute_uri("/") + "#website"},
    }


def person(request, member):
    """
    A clinician named on another page (an article's author or reviewer). Once their profile
    is public it is the same node as the profile's Person, by `@id`.
    """
    data = {"@type": "Person", "name": member.title}
    if member.role:
        data["jobTitle"] = member.role
    if member.is_published:
        url = request.build_absolute_uri(member.get_absolute_url())
        data["@id"] = f"{url}#person"
        data["url"] = url
    return data


def image_url(request, image):
    """An uploaded image as structured data wants it: the absolute URL of its largest JPEG
    (or PNG) rendition. Only called for an image that is set."""
    return request.build_absolute_uri(image.fallback_url(largest=True))


def article_page(request, article, related_treatments):
    url = request.build_absolute_uri(article.get_absolute_url())
    publisher = {"@type": "MedicalOrganization", "name": settings.CLINIC_NAME}
    publisher["url"] = request.build_absolute_uri("/")
    main = {
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.meta_description,
        "datePublished": article.published_on.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "inLanguage": "en-GB",
        "mainEntityOfPage": url,
        "publisher": publisher,
    }
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": article.title,
        "description": article.meta_description,
        "url": url,
        "inLanguage": "en-GB",
        "datePublished": article.published_on.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "mainEntity": main,
    }
    if article.author:
        main["author"] = person(request, article.author)
    if article.last_reviewed_on:
        page["lastReviewed"] = article.last_reviewed_on.isoformat()
    if article.reviewer:
        page["reviewedBy"] = person(request, article.reviewer)
    if article.hero_image:
        main["image"] = image_url(request, article.hero_image)
    if article.source_publication:
        source = {"@type": "CreativeWork", "publisher": article.source_publication}
        if article.source_url:
            source["url"] = article.source_url
        main["isBasedOn"] = source
    if related_treatments:
        page["about"] = [medical_entity(request, t) for t in related_treatments]
    return page


def medical_entity(request, treatment):
    entity_type = "MedicalCondition" if treatment.is_condition else "MedicalProcedure"
    entity = {
        "@type": entity_type,
        "name": treatment.title,
        "url": request.build_absolute_uri(treatment.get_absolute_url()),
    }
    if treatment.summary:
        entity["description"] = treatment.summary
    return entity


def treatment_page(request, treatment):
    page = web_page(
        request,
        name=treatment.title,
        description=treatment.meta_description,
        page_type="MedicalWebPage",
    )
    page["dateModified"] = treatment.updated_at.isoformat()
    page["about"] = medical_entity(request, treatment)
    if treatment.hero_image:
        page["image"] = image_url(request, treatment.hero_image)
    if treatment.price_from:
        page["about"]["offers"] = price_offer(treatment.price_from, treatment.price_includes)
    return page


def price_offer(price, includes=""):
    """A "from" price in pounds, as an Offer (only ever given a price that is known)."""
    amount = str(price)
    offer = {
        "@type": "Offer",
        "price": amount,
        "priceCurrency": "GBP",
        "priceSpecification": {
            "@type": "PriceSpecification",
            "minPrice": amount,
            "priceCurrency": "GBP",
        },
    }
    if includes:
        offer["description"] = " ".join(includes.split())
    return offer


def faq_page(request, faqs, *, name, description):
    """An FAQPage: each question with its answer, as plain text (only given some FAQs)."""
    page = web_page(request, name=name, description=description, page_type="FAQPage")
    page["mainEntity"] = [
        {
            "@type": "Question",
            "name": faq.question,
            "acceptedAnswer": {
                "@type": "Answer",
                "text": " ".join(unescape(strip_tags(faq.body_html)).split()),
            },
        }
        for faq in faqs
    ]
    return page


def clinic(request, clinic, *, treatments=(), closures=()):
    """
    A clinic: contact details, address and map, opening hours (its weekly rows, prefetched)
    with `closures` to come as special hours, the `treatments` offered and its access facts.
    """
    home = request.build_absolute_uri("/")
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": f"{settings.CLINIC_NAME}, {clinic.city}",
        "url": request.build_absolute_uri(clinic.get_absolute_url()),
        "telephone": phone_international(clinic.own_phone or settings.CLINIC_PHONE),
        "parentOrganization": {"@id": f"{home}#organization"},
        "address": {"@type": "PostalAddress", "addressLocality": clinic.city},
    }
    if clinic.summary:
        data["description"] = clinic.summary
    if clinic.address_lines:
        data["address"]["streetAddress"] = ", ".join(clinic.address_lines)
    if clinic.postcode:
        data["address"]["postalCode"] = clinic.postcode
    data["address"]["addressCountry"] = "GB"
    if clinic.email:
        data["email"] = clinic.email
    if clinic.map_url:
        data["hasMap"] = clinic.map_url
    if clinic.photo:
        data["image"] = image_url(request, clinic.photo)
    weekly = opening_hours_specification(clinic.opening_hours.all())
    if weekly:
        data["openingHoursSpecification"] = weekly
    if closures:
        data["specialOpeningHoursSpecification"] = [closed_days(c) for c in closures]
    if treatments:
        data["availableService"] = [available_service(request, t) for t in treatments]
    features = [
        {"@type": "LocationFeatureSpecification", "name": name, "value": value}
        for name, value in clinic.access_facts()
    ]
    if features:
        data["amenityFeature"] = features
    return data


def opening_hours_specification(rows):
    """Weekly hours, one entry per opening and closing time with the days that have it.

    A range that ends at midnight closes at "23:59", as search engines read the end of a day.
    """
    days_by_times = {}
    for row in rows:
        closes = (
            "23:59" if row.closes == opening_hours.MIDNIGHT else opening_hours.clock(row.closes)
        )
        days_by_times.setdefault((opening_hours.clock(row.opens), closes), []).append(row.weekday)
    return [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [
                f"https://schema.org/{opening_hours.WEEKDAY_NAMES[day]}" for day in sorted(days)
            ],
            "opens": opens,
            "closes": closes,
        }
        for (opens, closes), days in sorted(days_by_times.items(), key=lambda i: min(i[1]))
    ]


def closed_days(closure):
    """A closure: opening and closing at 00:00 is schema.org's "closed all day"."""
    data = {
        "@type": "OpeningHoursSpecification",
        "validFrom": closure.first_day.isoformat(),
        "validThrough": closure.last_day.isoformat(),
        "opens": "00:00",
        "closes": "00:00",
    }
    if closure.reason:
        data["name"] = closure.reason
    return data


def available_service(request, treatment):
    """A treatment offered at a clinic: a procedure, or the therapy for a condition."""
    return {
        "@type": "MedicalTherapy" if treatment.is_condition else "MedicalProcedure",
        "name": treatment.title,
        "url": request.build_absolute_uri(treatment.get_absolute_url()),
    }


def team_member_page(request, member, clinics):
    """
    A clinician's profile: a ProfilePage whose main entity is the Person (schema.org's
    Physician is an organisation type), with their registration as an identifier and a
    credential, the register's own page for them as `sameAs` where it has one, and the clinics
    they work at under `worksFor`.
    """
    home = request.build_absolute_uri("/")
    data = person(request, member)
    data["worksFor"] = [
        {
            "@type": "MedicalOrganization",
            "@id": f"{home}#organization",
            "name": settings.CLINIC_NAME,
            "url": home,
        },
        *(
            {
                "@type": "MedicalClinic",
                "name": f"{settings.CLINIC_NAME}, {clinic.city}",
                "url": request.build_absolute_uri(clinic.get_absolute_url()),
            }
            for clinic in clinics
        ),
    ]
    if member.qualifications:
        data["honorificSuffix"] = member.qualifications
    if member.portrait:
        data["image"] = image_url(request, member.portrait)
    if member.has_registration:
        register = member.register
        data["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": f"{register.short_name} number",
            "value": member.registration_number,
        }
        data["hasCredential"] = {
            "@type": "EducationalOccupationalCredential",
            "credentialCategory": "Professional registration",
            "name": f"{register.name} registration",
            "identifier": member.registration_number,
            "recognizedBy": {
                "@type": "Organization",
                "name": register.name,
                "url": register.search_url,
            },
            "url": member.register_url,
        }
        if member.register_links_to_entry:
            data["sameAs"] = [member.register_url]
    page = web_page(
        request, name=member.title, description=member.meta_description, page_type="ProfilePage"
    )
    page["dateModified"] = member.updated_at.isoformat()
    page["mainEntity"] = data
    return page
