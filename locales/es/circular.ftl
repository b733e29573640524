## Español (es). Fórmulas fijas de las circulares de la TSB, tomadas de ../shared/reference/wording.md.
## Los mensajes marcados "# unverified" no tienen allí una formulación con fuente: debe revisarlos un revisor de idioma.

organisation = UNIÓN INTERNACIONAL DE TELECOMUNICACIONES
bureau = Oficina de Normalización de las Telecomunicaciones
# unverified
sender-name = Oficina de Normalización de las Telecomunicaciones de la UIT
date-line = Ginebra, { DATE($date) }
reference-label = Ref.:
circular-designation = Circular TSB { $number }
addressees-label = A:
# The mark that ends every line of the addressee and copy lists but the last.
list-separator = ;
contact-label = Contacto:
tel-label = Tel.:
fax-label = Fax:
email-label = Correo-e:
subject-label = Asunto:
# unverified
mail-subject = { $designation }: { $subject }
salutation = Muy Señor mío/Muy Señora mía:
# unverified
closing = Atentamente,
signature-title = Director de la Oficina de Normalización de las Telecomunicaciones
# unverified
copy-label = Copia:
# unverified
annexes = { $count ->
    [one] Anexo: { $count }
   *[other] Anexos: { $count }
}
# unverified
signed = (firmado)
# unverified
footer-reason = Recibe usted esta circular como contacto de la siguiente entidad en la lista de distribución de la UIT: { $addressee }
# unverified
footer-unsubscribe = Para dejar de recibir estas circulares, cancele su suscripción aquí: { $unsubscribe }
# unverified
footer-preferences = Para elegir el idioma y los temas de las circulares que recibe: { $preferences }
# unverified
footer-language = Para recibirlas en otro idioma, responda a este mensaje.

# The same people in every language, in the order of TSB Circular 36 (wording.md §6, [1]). Each
# line is a phrase of this language's cell in wording.md §6 or §10, or is marked unverified;
# tests/category_wording.rs checks it. Lines follow "A:" with no article (§6, [14]).
category-member-states = Estados Miembros de la UIT
# unverified
category-palestine = Estado de Palestina (Resolución 99 (Rev. Dubái, 2018))
category-sector-members = Miembros de los Sectores
category-associates = Asociados
category-academia = Instituciones Académicas
# unverified
category-permanent-missions = Misiones Permanentes y Embajadas en Ginebra
# unverified
category-international-organizations = Organizaciones internacionales, regionales y nacionales competentes
# unverified
category-satellite-organizations = Organizaciones intergubernamentales que explotan sistemas de satélites
category-united-nations = Naciones Unidas
# unverified
# [14] has the short form "Naciones Unidas, Organismos Especializados y OIEA".
category-specialized-agencies = Organismos especializados de las Naciones Unidas y Organismo Internacional de Energía Atómica
# unverified
category-study-group-chairs = Presidentes y Vicepresidentes de las Comisiones de Estudio del UIT-T
# unverified
category-director-bdt = Director de la Oficina de Desarrollo de las Telecomunicaciones
category-director-br = Director de la Oficina de Radiocomunicaciones
category-secretary-general = Secretario general
