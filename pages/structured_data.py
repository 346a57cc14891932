"""
Schema.org structured data (JSON-LD) for the public pages, built as plain dicts.

Templates print each dict with the `json_ld` tag, which escapes it like `json_script`, so staff
text can never close the <script> element. Facts that are not filled in are left out, never
guessed: a clinic without a street address gets only its town.
"""

from django.conf import settings

from clinic_site.phones import phone_international


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


def physician(expert):
    person = {"@type": "Physician", "name": expert.name}
    if expert.job_title:
        person["description"] = expert.job_title
    return person


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
    if article.expert:
        main["author"] = physician(article.expert)
    if article.last_reviewed_on:
        page["lastReviewed"] = article.last_reviewed_on.isoformat()
        if article.expert:
            page["reviewedBy"] = physician(article.expert)
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
    return page


def clinic(request, clinic):
    home = request.build_absolute_uri("/")
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalClinic",
        "name": f"{settings.CLINIC_NAME}, {clinic.city}",
        "url": request.build_absolute_uri(clinic.get_absolute_url()),
        "telephone": phone_international(clinic.phone or settings.CLINIC_PHONE),
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
    return data
