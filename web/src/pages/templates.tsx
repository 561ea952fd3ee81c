import { api, call } from '../api/client';
import { Empty, Link, Loaded, TableWrap, useLoad } from '../components/ui';
import { useI18n } from '../i18n';

export function TemplatesPage() {
  const { t } = useI18n();
  const [load, reload] = useLoad(async () => (await call(() => api.GET('/v1/templates'))).items, []);
  return (
    <section>
      <h1>{t('templates.heading')}</h1>
      <Loaded load={load} retry={reload}>
        {(items) =>
          items.length === 0 ? (
            <Empty>{t('templates.empty')}</Empty>
          ) : (
            <TableWrap label={t('templates.heading')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('common.name')}</th>
                    <th scope="col">{t('templates.languages')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((item) => (
                    <tr key={item.name}>
                      <th scope="row">
                        <Link to={`templates/${item.name}`}>{item.name}</Link>
                      </th>
                      <td>{item.locales.map((l) => t(`locale.${l}`)).join(', ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </Loaded>
    </section>
  );
}
