import { useState } from 'preact/hooks';
import { useI18n } from '../i18n';
import { navigate } from '../router';

/** Find a customer by id; the customer page says when there is none. */
export function CustomersPage() {
  const { t } = useI18n();
  const [id, setId] = useState('');
  return (
    <section>
      <h1>{t('customers.heading')}</h1>
      <search>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (id.trim()) navigate(`customers/${id.trim()}`);
          }}
        >
          <label for="customer-id">{t('customers.lookup')}</label>
          <input
            id="customer-id"
            required
            value={id}
            onInput={(e) => setId((e.target as HTMLInputElement).value)}
          />
          <button type="submit">{t('customers.find')}</button>
        </form>
      </search>
    </section>
  );
}
