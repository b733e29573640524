## Español (es). Las palabras de las páginas de los destinatarios (la página de preferencias).

site-name = Circulares de la UIT
page-title = { $page } – { site-name }
skip-to-content = Ir al contenido principal
language-switch-label = Idioma de esta página
preferences-title = Sus preferencias
preferences-intro = Estas preferencias se refieren a las circulares de la Oficina de Normalización de las Telecomunicaciones de la UIT enviadas a esta dirección.
address-label = Dirección
organisation-label = Organización
language-label = Idioma de sus circulares
unknown-page-language = Esta página no existe en el idioma solicitado; se muestra en el idioma de sus circulares.
topics-heading = Circulares facultativas por tema
topics-none = Por el momento no hay temas facultativos.
topic-receives = Usted recibe estas circulares.
topic-not-receives = Usted no recibe estas circulares.
official-heading = Circulares oficiales
official-note = Las circulares oficiales dirigidas a su organización no pueden rechazarse una por una. Para dejar de recibirlas, cancele la suscripción de esta dirección a todas las circulares.
unsubscribed-note = Esta dirección ha cancelado su suscripción a todas las circulares desde el { $date }.
failure-invalid-title = Este enlace no funciona
failure-invalid = El enlace está incompleto o ha sido modificado. Ábralo de nuevo desde el correo, utilizando el enlace completo. No se ha modificado nada.
failure-unknown-title = Este enlace ya no es válido
failure-unknown = No corresponde a ninguna circular enviada a una dirección del directorio: es posible que la dirección se haya suprimido. No se ha modificado nada. Escriba al contacto indicado en la circular.
failure-unavailable-title = Vuelva a intentarlo más tarde
failure-unavailable = Sus preferencias no pueden mostrarse en este momento. No se ha modificado nada. Vuelva a intentarlo más tarde.
